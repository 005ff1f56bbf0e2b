from django.http import HttpResponse


def home(request):
    return HttpResponse("ok")


def opportunity_list(request):
    return HttpResponse("ok")


def opportunity_detail(request, code):
    return HttpResponse("ok")
